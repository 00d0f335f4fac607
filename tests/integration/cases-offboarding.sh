# shellcheck shell=bash
# shellcheck disable=SC2016 # jq programs name their $variables in single quotes
# cases-offboarding.sh: contract §12 over HTTP, sourced by cases.sh.  The
# executor is the pool's real task; ordinary offboardings are made due by
# `customers-admin offboarding run-due --at`, which runs the same function.

OFFB_RQ=$(cat /proc/sys/kernel/random/uuid)

# POST /roles/offboardings: STATUS, BODY and OFFB_ID ("" on failure).
offboard() { # TOKEN CUSTOMER REASON [curl args...]
	local tok=$1 body
	body=$(jq -cn --arg c "$2" --arg r "$3" '{roleType: "CUSTOMER", roleId: $c, reason: $r}')
	shift 3
	req POST /roles/offboardings -H "$(bearer "$tok")" "${JH[@]}" -H "Requestor-ID: $OFFB_RQ" \
		-d "$body" "$@"
	OFFB_ID=$(jb '.offboardingId // empty')
}

offb_get() { # ID [TOKEN]
	req GET "/roles/offboardings/$1" -H "$(bearer "${2:-$A_TOK}")"
}

# Without curl args an empty body (Content-Length: 0, as a web server wants for a POST).
offb_cancel() { # ID [curl args...]
	local id=$1
	shift
	[ $# -gt 0 ] || set -- -d ''
	req POST "/roles/offboardings/$id/cancellation" -H "$(bearer "$A_TOK")" \
		-H "Requestor-ID: $OFFB_RQ" "$@"
}

offb_patch() { # ID BODY
	patch "$1" "$2" -H "Requestor-ID: $OFFB_RQ"
}

offb_status_is() { # ID WANT
	offb_get "$1"
	[ "$(jb .status)" = "$2" ]
}

# A time plus two calendar months, for days 1..28 (no clamping needed).
plus_two_months() { # RFC3339
	local y=${1:0:4} m=${1:5:2}
	m=$((10#$m + 2))
	if [ "$m" -gt 12 ]; then
		m=$((m - 12))
		y=$((y + 1))
	fi
	printf '%04d-%02d%s' "$y" "$m" "${1:7}"
}

# A new customer of partner A: NEW_ID.
offb_customer() { # TYPE [LABELS]
	create "$A_TOK" "$(uuid4)" "$1" "${2:-}"
	[ -n "$NEW_ID" ] || die "offboarding: cannot create a customer: $(last_response)"
}

# The customer's events in the order written: TYPE:status, space-separated.
offb_events() { # CUSTOMER
	db_query "SELECT event_type, JSON_UNQUOTE(JSON_EXTRACT(data, '\$.status')) FROM events
		WHERE customer_id = UNHEX('$(hex_of "$1")') ORDER BY id" | tr '\t' : | joined
}

cases_offboarding_validation() {
	local np
	offb_customer NATURAL_PERSON
	np=$NEW_ID
	req POST /roles/offboardings -H "$(bearer "$A_TOK")" "${JH[@]}" \
		-d "{\"roleType\":\"CUSTOMER\",\"roleId\":\"$np\",\"reason\":\"DEATH_IMMEDIATE\"}"
	expect_invalid Requestor-ID 'offboarding POST: Requestor-ID is required'
	# One header only: nginx hands FastCGI only one of two same-named headers.
	req POST /roles/offboardings -H "$(bearer "$A_TOK")" "${JH[@]}" -H 'Requestor-ID: nope' \
		-d "{\"roleType\":\"CUSTOMER\",\"roleId\":\"$np\",\"reason\":\"DEATH_IMMEDIATE\"}"
	expect_invalid Requestor-ID 'offboarding POST: Requestor-ID must be a UUID'
	req POST /roles/offboardings -H "$(bearer "$A_TOK")" "${JH[@]}" -H "Requestor-ID: $OFFB_RQ" -d '{}'
	if [ "$STATUS" = 400 ] && has_detail roleType roleId reason; then
		tap_result 1 'offboarding POST: every missing field reported'
	else
		tap_result 0 'offboarding POST: every missing field reported' "$(last_response)"
	fi
	req POST /roles/offboardings -H "$(bearer "$A_TOK")" "${JH[@]}" -H "Requestor-ID: $OFFB_RQ" \
		-d "{\"roleType\":\"PARTNER\",\"roleId\":\"x\",\"reason\":\"BORED\",\"extra\":1}"
	if [ "$STATUS" = 400 ] && has_detail roleType roleId reason extra; then
		tap_result 1 'offboarding POST: bad roleType, roleId, reason and an unknown field'
	else
		tap_result 0 'offboarding POST: bad roleType, roleId, reason and an unknown field' "$(last_response)"
	fi
	req POST /roles/offboardings -H "$(bearer "$A_TOK")" -H "Requestor-ID: $OFFB_RQ" -d 'x'
	is "$STATUS" 415 'offboarding POST: not JSON is 415'
	offboard "$A_RO" "$np" DEATH_IMMEDIATE
	is "$STATUS" 403 'offboarding POST: a read-only token is 403'
	offboard "$A_TOK" "$(uuid4)" DEATH_IMMEDIATE
	expect_error 404 NOT_FOUND CUSTOMER_NOT_FOUND 'offboarding POST: unknown customer 404'
	offboard "$B_TOK" "$np" DEATH_IMMEDIATE
	expect_error 404 NOT_FOUND CUSTOMER_NOT_FOUND "offboarding POST: another partner's customer 404"
	offboard "$A_TOK" "$np" DISSOLUTION_IMMEDIATE
	expect_invalid reason 'offboarding POST: dissolution of a natural person is 400'
	is "$(jb '.errorDetails[0].errors[0].code // .errorDetails[0].code')" NOT_APPLICABLE \
		'offboarding POST: ... code NOT_APPLICABLE'
	offb_customer LEGAL_ENTITY
	offboard "$A_TOK" "$NEW_ID" DEATH_IMMEDIATE
	expect_invalid reason 'offboarding POST: death of a legal entity is 400'
	req GET /roles/offboardings/nope -H "$(bearer "$A_TOK")"
	expect_invalid offboardingId 'offboarding GET: a non-UUID id is 400'
	offb_get "$(uuid4)"
	expect_error 404 NOT_FOUND OFFBOARDING_NOT_FOUND 'offboarding GET: unknown id 404'
}

cases_offboarding_ordinary() {
	local c created want
	offb_customer NATURAL_PERSON '["offb-a"]'
	c=$NEW_ID
	offboard "$A_TOK" "$c" CANCELLATION_BY_PARTNER_ORDINARY
	is "$STATUS" 200 'ordinary offboarding: 200'
	like "$OFFB_ID" "$UUID7_RE" 'ordinary offboarding: the id is a UUIDv7'
	ORD_ID=$OFFB_ID
	ORD_CUSTOMER=$c
	offb_get "$ORD_ID"
	is "$(jb '[.roleType, .roleId, .reason, .status, .requestorId, .executedOn] | map(tostring) | join(" ")')" \
		"CUSTOMER $c CANCELLATION_BY_PARTNER_ORDINARY CREATED $OFFB_RQ null" \
		'ordinary offboarding: GET shows role, reason, CREATED, requestor, no executedOn'
	created=$(jb .createdOn)
	want=$(plus_two_months "$created")
	is "$(jb .cancellationDate)" "$want" 'ordinary offboarding: cancellationDate is createdOn + 2 months'
	like "$(jb .modifiedOn)" "$TIME_RE" 'ordinary offboarding: modifiedOn'
	get_one "$c"
	is "$(jb '.customerStatus + " " + .cancellationDate')" "OFFBOARDING $want" \
		'ordinary offboarding: the customer is OFFBOARDING with the same cancellationDate'
	offb_get "$ORD_ID" "$B_TOK"
	expect_error 404 NOT_FOUND OFFBOARDING_NOT_FOUND "offboarding GET: another partner's is 404"
	offboard "$A_TOK" "$c" CANCELLATION_BY_PARTNER_ORDINARY
	expect_error 409 CONFLICT OFFBOARDING_IN_PROGRESS 'a second offboarding: 409 OFFBOARDING_IN_PROGRESS'
	offb_patch "$c" '{"labels":["offb-b"]}'
	is "$STATUS" 202 'an OFFBOARDING customer can still be relabeled'
	is "$(db_query "SELECT CONCAT(status_before, '>', status_after, ' ', client_id)
		FROM customer_audit WHERE offboarding_id = UNHEX('$(hex_of "$ORD_ID")')" 2>&1)" \
		"CREATED>OFFBOARDING $(jq -r .client_id <<<"$ACME")" \
		'ordinary offboarding: audited in its transaction, naming the offboarding'
}

cases_offboarding_cancel() {
	local c
	req POST "/roles/offboardings/$ORD_ID/cancellation" -H "$(bearer "$A_TOK")" -d ''
	expect_invalid Requestor-ID 'cancellation: without Requestor-ID 400'
	offb_cancel "$ORD_ID" "${JH[@]}" -d '{"why":1}'
	expect_invalid why 'cancellation: a body other than {} is 400'
	req POST "/roles/offboardings/$ORD_ID/cancellation" -H "$(bearer "$B_TOK")" \
		-H "Requestor-ID: $OFFB_RQ" -d ''
	expect_error 404 NOT_FOUND OFFBOARDING_NOT_FOUND "cancellation: another partner's is 404"
	offb_cancel "$ORD_ID" "${JH[@]}" -d '{}'
	is "$STATUS" 202 'cancellation: 202'
	offb_get "$ORD_ID"
	is "$(jb .status)" CANCELED 'cancellation: the offboarding is CANCELED'
	get_one "$ORD_CUSTOMER"
	is "$(jb '.customerStatus + " " + (.cancellationDate | tostring)')" "CREATED null" \
		'cancellation: the customer has its status back and no cancellationDate'
	offb_cancel "$ORD_ID"
	expect_error 409 CONFLICT OFFBOARDING_NOT_CANCELABLE 'cancellation: twice is 409 NOT_CANCELABLE'
	is "$(offb_events "$ORD_CUSTOMER" | tr ' ' '\n' | grep -c OFFBOARDING_NOTIFICATION)" 2 \
		'cancellation: its OFFBOARDING_NOTIFICATION is written'
	is "$(db_query "SELECT GROUP_CONCAT(CONCAT(status_before, '>', status_after) ORDER BY id)
		FROM customer_audit WHERE offboarding_id = UNHEX('$(hex_of "$ORD_ID")')" 2>&1)" \
		'CREATED>OFFBOARDING,OFFBOARDING>CREATED' 'cancellation: audited'
	# the operator's set-status cancels an open offboarding, audited
	offb_customer NATURAL_PERSON
	c=$NEW_ID
	offboard "$A_TOK" "$c" CANCELLATION_BY_PARTNER_ORDINARY
	ok 'set-status over an open offboarding succeeds' set_status "$c" ACTIVE
	offb_get "$OFFB_ID"
	is "$(jb .status)" CANCELED 'set-status: the open offboarding is CANCELED'
	is "$(db_query "SELECT CONCAT(status_before, '>', status_after, ' ', client_id) FROM customer_audit
		WHERE offboarding_id = UNHEX('$(hex_of "$OFFB_ID")') ORDER BY id DESC LIMIT 1" 2>&1)" \
		'OFFBOARDING>ACTIVE admin' 'set-status: the override is audited, naming the offboarding'
	offboard "$A_TOK" "$c" CANCELLATION_BY_PARTNER_ORDINARY
	is "$STATUS" 200 'after the override a new offboarding may start'
	SET_ACTIVE_OFFB=$OFFB_ID
}

cases_offboarding_immediate() {
	local c e started m0
	e=$(uuid4)
	create "$A_TOK" "$e" NATURAL_PERSON '["offb-imm"]'
	c=$NEW_ID
	m0=$(metric customers_offboardings_executed_total)
	started=$SECONDS
	offboard "$A_TOK" "$c" DEATH_IMMEDIATE
	is "$STATUS" 200 'immediate offboarding: 200'
	offb_get "$OFFB_ID"
	is "$(jb '.cancellationDate == .createdOn')" true 'immediate: cancellationDate is the creation time'
	ok 'immediate: executed by the pool within 5 s' wait_until 50 offb_status_is "$OFFB_ID" APPROVED
	ok 'immediate: ... measured from the request' test $((SECONDS - started)) -le 6
	# Under mod_fcgid each spawned process is a pool of its own, with its own
	# metrics: another one's executor may have run it.
	[ "$WEB" = apache-fcgid ] || ok 'immediate: customers_offboardings_executed_total counts it' \
		test "$(metric customers_offboardings_executed_total)" -gt "$m0"
	offb_get "$OFFB_ID"
	like "$(jb .executedOn)" "$TIME_RE" 'immediate: executedOn set'
	get_one "$c"
	is "$(jb .customerStatus)" OFFBOARDED 'immediate: the customer is OFFBOARDED'
	is "$(db_query "SELECT COUNT(*) FROM customer_audit WHERE offboarding_id = UNHEX('$(hex_of "$OFFB_ID")')
		AND status_after = 'OFFBOARDED' AND client_id = 'executor'" 2>&1)" 1 \
		'immediate: one execution audit record'
	is "$(db_query "$LABELS_MISMATCH_SQL" 2>&1)" 0 'immediate: the label counts moved'
	is "$(offb_events "$c")" \
		"CUSTOMER_NOTIFICATION:CREATED CUSTOMER_NOTIFICATION:OFFBOARDING OFFBOARDING_NOTIFICATION:CREATED CUSTOMER_NOTIFICATION:OFFBOARDED OFFBOARDING_NOTIFICATION:APPROVED" \
		'immediate: create and execution each wrote their events, once'
	offb_cancel "$OFFB_ID"
	expect_error 409 CONFLICT OFFBOARDING_NOT_CANCELABLE 'an executed offboarding is not cancelable'
	offb_patch "$c" '{"labels":["x"]}'
	expect_error 409 CONFLICT CUSTOMER_OFFBOARDED 'PATCH of an OFFBOARDED customer: 409'
	offb_patch "$c" '{}'
	expect_error 409 CONFLICT CUSTOMER_OFFBOARDED 'PATCH {} of an OFFBOARDED customer: 409'
	offboard "$A_TOK" "$c" CUSTOMER_REQUEST_IMMEDIATE
	expect_error 409 CONFLICT CUSTOMER_OFFBOARDED 'offboarding an OFFBOARDED customer: 409'
	create "$A_TOK" "$e" NATURAL_PERSON
	is "$STATUS" 200 'an offboarded entity can become a customer again'
	isnt "$NEW_ID" "$c" '... with a new customerId'
	create "$A_TOK" "$e" NATURAL_PERSON
	expect_error 409 CONFLICT CUSTOMER_ALREADY_EXISTS '... once: then 409 CUSTOMER_ALREADY_EXISTS'
	req GET "/roles/customers?entityId=$e" -H "$(bearer "$A_TOK")"
	is "$(jb '[.data[].customerStatus] | join(",")')" CREATED,OFFBOARDED \
		'entityId filter: both customers, newest first'
	# an immediate one that is never canceled: LEGAL_ENTITY reasons
	offb_customer LEGAL_ENTITY
	offboard "$A_TOK" "$NEW_ID" INSOLVENCY_IMMEDIATE
	offb_cancel "$OFFB_ID"
	expect_error 409 CONFLICT OFFBOARDING_NOT_CANCELABLE 'an immediate offboarding is not cancelable'
}

cases_offboarding_race() {
	local c i codes pids=()
	offb_customer NATURAL_PERSON
	c=$NEW_ID
	for i in $(seq 10); do
		curl -s --max-time 30 -o /dev/null -w '%{http_code}\n' -H "$(bearer "$A_TOK")" "${JH[@]}" \
			-H "Requestor-ID: $OFFB_RQ" -d "{\"roleType\":\"CUSTOMER\",\"roleId\":\"$c\",
			\"reason\":\"CANCELLATION_BY_PARTNER_ORDINARY\"}" "$BASE/roles/offboardings" \
			>"$STATE/offb-race.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	codes=$(cat "$STATE"/offb-race.* | sort | uniq -c | awk '{print $2 "x" $1}' | joined)
	is "$codes" "200x1 409x9" '10 concurrent offboardings of one customer: one 200, nine 409'
	is "$(db_query "SELECT COUNT(*) FROM offboardings WHERE customer_id = UNHEX('$(hex_of "$c")')")" 1 \
		'concurrent offboardings: one stored'
	offb_recreate_race
}

# An entity whose only customer is OFFBOARDED, given the role again by ten
# concurrent POSTs: one new customer (200), nine 409 CUSTOMER_ALREADY_EXISTS.
offb_recreate_race() {
	local e i codes pids=()
	e=$(uuid4)
	create "$A_TOK" "$e" NATURAL_PERSON
	offboard "$A_TOK" "$NEW_ID" DEATH_IMMEDIATE
	wait_until 100 offb_status_is "$OFFB_ID" APPROVED || die "offboarding race: not executed"
	for i in $(seq 10); do
		curl -s --max-time 30 -o "$STATE/offb-recreate.body.$i" -w '%{http_code}\n' \
			-H "$(bearer "$A_TOK")" "${JH[@]}" -d "$(body_of "$e" NATURAL_PERSON)" \
			"$BASE/roles/customers" >"$STATE/offb-recreate.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	codes=$(cat "$STATE"/offb-recreate.[0-9]* | sort | uniq -c | awk '{print $2 "x" $1}' | joined)
	is "$codes" "200x1 409x9" 'an OFFBOARDED entity given the role again by 10 concurrent POSTs: one 200, nine 409'
	is "$(cat "$STATE"/offb-recreate.body.* | jq -r '.errorCode // empty' | sort | uniq -c | awk '{print $2 "x" $1}')" \
		CUSTOMER_ALREADY_EXISTSx9 '... the nine: CUSTOMER_ALREADY_EXISTS'
	is "$(db_query "SELECT GROUP_CONCAT(status ORDER BY created_at) FROM customers
		WHERE entity_id = UNHEX('$(hex_of "$e")')")" OFFBOARDED,CREATED \
		'... and the entity has its OFFBOARDED customer and one new one'
}

cases_offboarding_list() {
	local all first
	req GET "/roles/offboardings?roleId=$ORD_CUSTOMER" -H "$(bearer "$A_RO")"
	is "$STATUS $(jb '[.data[].offboardingId] | join(",")') $(jb .pagination.cursor)" \
		"200 $ORD_ID null" 'list: roleId filter, read scope, last page has a null cursor'
	req GET '/roles/offboardings?status=CANCELED&offboardingRoleType=CUSTOMER' -H "$(bearer "$A_TOK")"
	is "$(jb '[.data[].status] | unique | join(",")')" CANCELED 'list: status filter'
	req GET '/roles/offboardings?limit=100' -H "$(bearer "$A_TOK")"
	all=$(jb '[.data[].offboardingId] | join(",")')
	is "$(jb '[.data[].offboardingId] == ([.data[].offboardingId] | sort | reverse)')" true \
		'list: newest first'
	req GET '/roles/offboardings?limit=1' -H "$(bearer "$A_TOK")"
	first=$(jb '.data[0].offboardingId')
	req GET "/roles/offboardings?limit=100&cursor=$(jb .pagination.cursor)" -H "$(bearer "$A_TOK")"
	is "$first,$(jb '[.data[].offboardingId] | join(",")')" "$all" 'list: the cursor continues the walk'
	req GET '/roles/offboardings?limit=1' -H "$(bearer "$A_TOK")"
	req GET "/roles/offboardings?status=CREATED&cursor=$(jb .pagination.cursor)" -H "$(bearer "$A_TOK")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'list: a cursor of other filters is 400'
	req GET "/roles/offboardings?cursor=AAAA" -H "$(bearer "$A_TOK")"
	expect_error 400 BAD_REQUEST INVALID_CURSOR 'list: a forged cursor is 400'
	req GET '/roles/offboardings?limit=0&status=DONE&roleId=x&offboardingRoleType=PARTNER&foo=1' \
		-H "$(bearer "$A_TOK")"
	if [ "$STATUS" = 400 ] && has_detail limit status roleId offboardingRoleType foo; then
		tap_result 1 'list: every bad parameter reported'
	else
		tap_result 0 'list: every bad parameter reported' "$(last_response)"
	fi
	req GET /roles/offboardings -H "$(bearer "$B_TOK")"
	is "$STATUS $(jb '.data | length')" '200 0' "list: another partner sees none of them"
}

# Ordinary offboardings through the production path at a later time.
cases_offboarding_due() {
	local c due before
	offb_customer NATURAL_PERSON '["offb-due"]'
	c=$NEW_ID
	offboard "$A_TOK" "$c" CANCELLATION_BY_PARTNER_ORDINARY
	offb_get "$OFFB_ID"
	due=$(jb .cancellationDate)
	before=$(date -u -d "${due/T/ } - 1 second" '+%Y-%m-%dT%H:%M:%S.%3NZ')
	ok 'run-due before the date' admin offboarding run-due --at "$before"
	offb_get "$OFFB_ID"
	is "$(jb .status)" CREATED 'run-due: not due one second before cancellationDate'
	ok 'run-due at the date' admin offboarding run-due --at "$due"
	offb_get "$OFFB_ID"
	is "$(jb .status)" APPROVED 'run-due: executed at cancellationDate'
	get_one "$c"
	is "$(jb '.customerStatus + " " + .cancellationDate')" "OFFBOARDED $due" \
		'run-due: the customer is OFFBOARDED, cancellationDate kept'
	admin offboarding run-due --at "$due" >>"$STATE/admin.log" 2>&1
	is "$(db_query "SELECT COUNT(*) FROM customer_audit WHERE offboarding_id = UNHEX('$(hex_of "$OFFB_ID")')
		AND status_after = 'OFFBOARDED'")" 1 'run-due twice: executed once'
	is "$(admin offboarding show "$OFFB_ID" 2>>"$STATE/admin.log" | jq -r .status)" APPROVED \
		'customers-admin offboarding show'
	like "$(admin offboarding list --status APPROVED 2>>"$STATE/admin.log" | jq -r .offboardingId | joined)" \
		"$OFFB_ID" 'customers-admin offboarding list --status'
	is "$(db_query "$LABELS_MISMATCH_SQL" 2>&1)" 0 'run-due: label counts agree'
	run_due_usage
}

run_due_usage() {
	admin offboarding run-due --at yesterday >/dev/null 2>&1
	is "$?" 2 'run-due: a bad --at is a usage error'
}

ALL_CASES+=" offboarding_validation offboarding_ordinary offboarding_cancel offboarding_immediate"
ALL_CASES+=" offboarding_race offboarding_list offboarding_due"
WEB_CASES+=" offboarding_validation offboarding_ordinary offboarding_cancel offboarding_immediate"
WEB_CASES+=" offboarding_race offboarding_list"

# Schema 5 on a populated schema-4 database: a live and an OFFBOARDED
# customer survive, the entity of the OFFBOARDED one may be onboarded
# again while the live one's may not, and a second run changes nothing.
cases_offboarding_migrate() {
	local conf="$STATE/migrate5.conf" v4="$STATE/sql-v4" db=customers_upgrade5 live gone
	mkdir -p "$v4" && cp "$SRCDIR"/sql/00[1-4]-*.sql "$v4/"
	sed "s/^name = .*/name = $db/" "$(APP_CONF)" >"$conf"
	mariadb_root -e "DROP DATABASE IF EXISTS $db;
		GRANT ALL ON \`$db\`.* TO '$DB_USER'@'localhost';" || die "migrate5: cannot grant"
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$v4" >>"$STATE/admin.log" 2>&1
	is "$?" 0 'migrate 5: schema version 4'
	live=0190a000000070008000000000000011
	gone=0190a000000070008000000000000012
	mariadb_root -D "$db" -e "INSERT INTO partners (id, name) VALUES (1, 'p');
		INSERT INTO customers (id, partner_id, entity_id, entity_type, status, created_at,
			modified_at) VALUES
			(UNHEX('$live'), 1, UNHEX('$live'), 'NATURAL_PERSON', 'ACTIVE', NOW(3), NOW(3)),
			(UNHEX('$gone'), 1, UNHEX('$gone'), 'LEGAL_ENTITY', 'OFFBOARDED', NOW(3), NOW(3));" ||
		die "migrate5: cannot write version-4 rows"
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$SRCDIR/sql" >>"$STATE/admin.log" 2>&1
	is "$?" 0 'migrate 5: version 4 to the current version'
	is "$(mariadb_root -B -N -D "$db" -e "SELECT COUNT(*), SUM(entity_live IS NULL) FROM customers" | tr '\t' ' ')" \
		'2 1' 'migrate 5: both customers kept, the OFFBOARDED one has no live entity'
	is "$(mariadb_root -B -N -e "SELECT GROUP_CONCAT(DISTINCT index_name ORDER BY index_name)
		FROM information_schema.statistics WHERE table_schema = '$db' AND table_name = 'customers'
		AND (index_name LIKE '%entity%' OR index_name LIKE 'uk_customers%')")" \
		'idx_customers_partner_entity,uk_customers_partner_live' \
		'migrate 5: the entity key is unique among live customers only'
	mariadb_root -D "$db" -e "INSERT INTO customers (id, partner_id, entity_id, entity_type,
		created_at, modified_at) VALUES (UNHEX('0190a000000070008000000000000013'), 1,
		UNHEX('$gone'), 'LEGAL_ENTITY', NOW(3), NOW(3))" 2>>"$STATE/admin.log"
	is "$?" 0 'migrate 5: the OFFBOARDED entity can become a customer again'
	mariadb_root -D "$db" -e "INSERT INTO customers (id, partner_id, entity_id, entity_type,
		created_at, modified_at) VALUES (UNHEX('0190a000000070008000000000000014'), 1,
		UNHEX('$live'), 'NATURAL_PERSON', NOW(3), NOW(3))" 2>>"$STATE/admin.log"
	isnt "$?" 0 'migrate 5: the live one cannot'
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$SRCDIR/sql" >>"$STATE/admin.log" 2>&1
	is "$?:$(mariadb_root -B -N -D "$db" -e "SELECT COUNT(*) FROM customers")" '0:3' \
		'migrate 5: a second run changes nothing'
	# a run that failed halfway (the new key made, the old one still there) is repeated
	mariadb_root -D "$db" -e "DELETE FROM schema_migrations WHERE version = 5;
		ALTER TABLE customers DROP KEY idx_customers_partner_entity"
	"$BINDIR/customers-admin" -c "$conf" migrate --sql-dir "$SRCDIR/sql" >>"$STATE/admin.log" 2>&1
	is "$?" 0 'migrate 5: a partly undone version 5 is applied again'
	mariadb_root -e "DROP DATABASE $db"
}

ALL_CASES+=" offboarding_migrate"
